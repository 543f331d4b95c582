/** The PostgreSQL server the store tests use (a fresh schema per test inside its `test` database). */
export const PG_URL = process.env.TIDINGS_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
