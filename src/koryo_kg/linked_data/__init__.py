"""Linked data for harvesters: IRIs that dereference (303, content negotiation, alternates), the VoID / DCAT
description, dumps, robots.txt and the sitemap."""
