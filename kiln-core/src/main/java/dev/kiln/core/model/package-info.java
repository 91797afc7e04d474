/** What a model is to the core: its signature, its configuration, its version policy and its lifecycle states. */
package dev.kiln.core.model;
