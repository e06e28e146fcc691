"""The PostgreSQL + pgvector backend, chosen by ``ARTICLEQA_DATABASE_URL``.

Articles, the embedding cache and every published index version live in one database, so API
replicas on several hosts share them: ``database`` (pool, typed errors, migrations), ``store``
(the article store), ``index`` (building, publishing and reading index versions).
"""
