"""Spiders of the gongkai Scrapy project."""
