-- Feature permissions (SPEC §6): site-wide (project_id NULL) and per-project
-- bans, blocks and enables. grp '' is a ban of the whole site or project;
-- otherwise a site-wide group (Owners, Members, Collaborators, role:<name>)
-- or, in a project, owner/member/collaborator. Deleting a project deletes
-- its rules, so a new project with the same ID starts with none.
CREATE TABLE feature_rules (
    id INTEGER PRIMARY KEY,
    project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
    grp TEXT NOT NULL,
    feature TEXT NOT NULL,
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX feature_rules_site ON feature_rules (grp, feature) WHERE project_id IS NULL;
CREATE UNIQUE INDEX feature_rules_project ON feature_rules (project_id, grp, feature) WHERE project_id IS NOT NULL;
