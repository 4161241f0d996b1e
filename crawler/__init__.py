"""gongkai's Scrapy project: spiders find pages, pipelines store what they read."""
