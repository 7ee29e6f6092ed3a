-- Privomega: the tables and queries Orleans' ADO.NET clustering (Microsoft.Orleans.Clustering.AdoNet 10.4.2)
-- needs on PostgreSQL. Written for this project from the contract the provider documents: it reads every query
-- text from OrleansQuery (QueryKey, QueryText) at start-up, binds @-named parameters (DeploymentId, Address,
-- Port, Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version) and
-- reads result columns by those names. The membership table carries one version per deployment (cluster id):
-- inserting or updating a silo's row succeeds only if the caller's version is current, and bumps it.
-- Times are stored as UTC in timestamp columns (the provider binds some as DbType.DateTime).
-- Idempotent: every statement can run again on a database that already has the schema.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey varchar(64) NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);

CREATE TABLE IF NOT EXISTS privomega_membership_version
(
    deployment_id varchar(150) NOT NULL PRIMARY KEY,
    version integer NOT NULL DEFAULT 0,
    changed_at timestamp NOT NULL
);

CREATE TABLE IF NOT EXISTS privomega_membership
(
    deployment_id varchar(150) NOT NULL REFERENCES privomega_membership_version (deployment_id),
    address varchar(45) NOT NULL,
    port integer NOT NULL,
    generation integer NOT NULL,
    silo_name varchar(150) NOT NULL,
    host_name varchar(150) NOT NULL,
    status integer NOT NULL,
    proxy_port integer,
    suspect_times text,
    start_time timestamp NOT NULL,
    i_am_alive_time timestamp NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Adds a silo's row if the table version is still p_version; false (and nothing changed) otherwise or if the
-- row exists. The version row's lock serializes concurrent writers of one deployment.
CREATE OR REPLACE FUNCTION privomega_membership_insert(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_silo_name text,
    p_host_name text, p_status integer, p_proxy_port integer, p_start_time timestamptz,
    p_i_am_alive_time timestamptz, p_version integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE privomega_membership_version
       SET version = version + 1, changed_at = (now() AT TIME ZONE 'UTC')
     WHERE deployment_id = p_deployment_id AND version = p_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO privomega_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                      proxy_port, start_time, i_am_alive_time)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
            p_start_time AT TIME ZONE 'UTC', p_i_am_alive_time AT TIME ZONE 'UTC');
    RETURN true;
EXCEPTION WHEN unique_violation THEN
    -- The block's changes (the version bump) roll back with it.
    RETURN false;
END;
$$;

-- Changes a silo's status, suspicions and liveness if the table version is still p_version; false otherwise or
-- if there is no such row.
CREATE OR REPLACE FUNCTION privomega_membership_update(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_i_am_alive_time timestamptz, p_version integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE privomega_membership_version
       SET version = version + 1, changed_at = (now() AT TIME ZONE 'UTC')
     WHERE deployment_id = p_deployment_id AND version = p_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE privomega_membership
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time AT TIME ZONE 'UTC'
     WHERE deployment_id = p_deployment_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;
    RETURN true;
EXCEPTION WHEN no_data_found THEN
    RETURN false;
END;
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', '
WITH added AS (
    INSERT INTO privomega_membership_version (deployment_id, version, changed_at)
    VALUES (@DeploymentId, 0, now() AT TIME ZONE ''UTC'')
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM added);'),
('UpdateIAmAlivetimeKey', '
UPDATE privomega_membership
   SET i_am_alive_time = CAST(@IAmAliveTime AS timestamptz) AT TIME ZONE ''UTC''
 WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;'),
('InsertMembershipKey', '
SELECT privomega_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                   @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),
('UpdateMembershipKey', '
SELECT privomega_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                   @IAmAliveTime, @Version);'),
('MembershipReadRowKey', '
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
  FROM privomega_membership_version v
  LEFT JOIN privomega_membership m
    ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
 WHERE v.deployment_id = @DeploymentId;'),
('MembershipReadAllKey', '
SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
  FROM privomega_membership_version v
  LEFT JOIN privomega_membership m ON m.deployment_id = v.deployment_id
 WHERE v.deployment_id = @DeploymentId;'),
('GatewaysQueryKey', '
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM privomega_membership
 WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;'),
('DeleteMembershipTableEntriesKey', '
DELETE FROM privomega_membership WHERE deployment_id = @DeploymentId;
DELETE FROM privomega_membership_version WHERE deployment_id = @DeploymentId;'),
('CleanupDefunctSiloEntriesKey', '
DELETE FROM privomega_membership
 WHERE deployment_id = @DeploymentId AND status = 6
   AND i_am_alive_time < CAST(@IAmAliveTime AS timestamptz) AT TIME ZONE ''UTC'';'),
('CleanupDefunctSiloEntryKey', '
DELETE FROM privomega_membership
 WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
