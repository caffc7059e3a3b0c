"""Infrastructure: the Flask extensions (database, CSRF, translations, rate limits),
encryption at rest, mail and the job queue. Depends on nothing else of the portal but
its configuration."""
