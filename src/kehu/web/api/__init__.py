"""JSON API routers (prefix /api/v1); each route calls one service function."""
