-- Hand-written: the installation's one row, with the random id its outgoing Message-IDs mix in.
INSERT INTO "installation" DEFAULT VALUES ON CONFLICT ("id") DO NOTHING;
