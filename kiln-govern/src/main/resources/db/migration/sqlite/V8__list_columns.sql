-- Lists the web console pages through (issue 14): the job fields it filters on, copied out of body into columns with
-- indexes, so a filtered page of 10,000 jobs is an index walk rather than a JSON parse of every row; and the audit log
-- by action. JdbcJobStore writes the columns with body, in the same statement. V8, not V7: numbered apart from the
-- migration of the console's sessions, written at the same time. Keep in step with ../postgresql/V8__list_columns.sql.
ALTER TABLE jobs ADD COLUMN dataset TEXT;
ALTER TABLE jobs ADD COLUMN model_type TEXT;
ALTER TABLE jobs ADD COLUMN sweep_id INTEGER;
UPDATE jobs SET
  dataset = json_extract(body, '$.request.dataset'),
  model_type = json_extract(body, '$.request.model.type'),
  sweep_id = json_extract(body, '$.sweep.id');
CREATE INDEX jobs_by_dataset ON jobs (dataset, id);
CREATE INDEX jobs_by_sweep ON jobs (sweep_id, id);
CREATE INDEX jobs_by_creator ON jobs (created_by, id);
CREATE INDEX audit_by_action ON audit_log (action, id);
