/**
 * The JDBC stores behind governance: an embedded SQLite file by default, PostgreSQL when given a JDBC URL, the schema
 * migrated by Flyway at open ({@code db/migration/<vendor>}). {@link dev.kiln.govern.store.Database} owns the pool and
 * transactions; {@link dev.kiln.govern.store.GovernanceStores} hands out one store per contract. Every replica of a
 * cluster opens the same database, so each write here is atomic across replicas.
 */
package dev.kiln.govern.store;
