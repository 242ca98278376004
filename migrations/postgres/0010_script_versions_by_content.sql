-- Script versions by content: a version is the SHA-256 (hex) of the script's text, and the file's
-- `version` is only a label. Keep in step with migrations/sqlite/0010.
--
-- The numbered versions stay in script_versions_numbered until leadbot, right after this
-- migration, stores each under its hash and moves the conversations and leads that name it (the
-- same code on both databases); it then drops the table.
ALTER TABLE script_versions RENAME TO script_versions_numbered;
ALTER TABLE script_versions_numbered RENAME CONSTRAINT script_versions_pkey TO script_versions_numbered_pkey;
CREATE TABLE script_versions (
    script_id TEXT NOT NULL,
    version TEXT NOT NULL,
    label TEXT,
    source TEXT NOT NULL,
    stored_at BIGINT NOT NULL,
    PRIMARY KEY (script_id, version)
);

ALTER TABLE conversations ALTER COLUMN script_version TYPE TEXT USING script_version::TEXT;
ALTER TABLE leads ALTER COLUMN script_version TYPE TEXT USING script_version::TEXT;
-- Conversations in progress per script version (`scripts list`, `scripts migrate`).
CREATE INDEX conversations_running ON conversations (script_id, script_version) WHERE finished = 0;

-- Which version of each script new conversations start on: the latest row per script id.
-- Every replica reads it, so all use the same version; the rows are the history (who, when,
-- from a file or a rollback).
CREATE TABLE script_activations (
    id BIGSERIAL PRIMARY KEY,
    script_id TEXT NOT NULL,
    version TEXT NOT NULL,
    origin TEXT NOT NULL,
    file TEXT,
    activated_by TEXT NOT NULL,
    activated_at BIGINT NOT NULL
);
CREATE INDEX script_activations_script ON script_activations (script_id, id);

-- Changes to a script or the reps file that were refused (invalid, unreadable, deleted...),
-- with the error; resolved once a later change of the same file is accepted.
CREATE TABLE refused_changes (
    id BIGSERIAL PRIMARY KEY,
    file TEXT NOT NULL,
    script_id TEXT,
    error TEXT NOT NULL,
    refused_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX refused_changes_open ON refused_changes (file) WHERE resolved_at IS NULL;
