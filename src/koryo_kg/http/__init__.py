"""What every HTTP interface shares: error answers, body limits, content negotiation, Host checks and
links, caching headers, security headers, static files, the access log. Knows nothing of the data."""
