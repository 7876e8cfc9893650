-- One database and one login role per service, run once by the postgres image on an
-- empty data directory. Each role owns its service's database (where the service
-- creates its schema and tables) and nothing else; no other role may connect to it.
-- The passwords come from the container's environment: CREDITS_DB_PASSWORD,
-- PAYMENTS_DB_PASSWORD, INVOICING_DB_PASSWORD (an unset one stops the init with an error).
\set ON_ERROR_STOP on
\getenv credits_password CREDITS_DB_PASSWORD
\getenv payments_password PAYMENTS_DB_PASSWORD
\getenv invoicing_password INVOICING_DB_PASSWORD

CREATE ROLE credits LOGIN PASSWORD :'credits_password';
CREATE DATABASE credits OWNER credits;
REVOKE ALL ON DATABASE credits FROM PUBLIC;

CREATE ROLE payments LOGIN PASSWORD :'payments_password';
CREATE DATABASE payments OWNER payments;
REVOKE ALL ON DATABASE payments FROM PUBLIC;

CREATE ROLE invoicing LOGIN PASSWORD :'invoicing_password';
CREATE DATABASE invoicing OWNER invoicing;
REVOKE ALL ON DATABASE invoicing FROM PUBLIC;
