"""The staff side of `veiviser serve`: admin pages under /admin (login, content, freshness, gaps, feedback, mentor
requests, overview), what they share with the staff API (paths, uploads, gap groups, summaries), and the watched
knowledge folder."""
