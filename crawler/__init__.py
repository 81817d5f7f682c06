"""Crawler: outlet declarations, Scrapy spiders and middlewares, and extraction."""
