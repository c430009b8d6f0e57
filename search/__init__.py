"""Full-text search across articles, quotes and people (issue 7).

``search.services`` is the entry point for the website, the API and the admin;
``search.index`` keeps the index current; ``search.query`` parses what users type.
"""
