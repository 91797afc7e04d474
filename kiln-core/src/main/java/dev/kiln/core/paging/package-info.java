/**
 * Pages of long lists (jobs, models, datasets, the audit log): what a caller asks for ({@link
 * dev.kiln.core.paging.PageRequest}) and what a store answers ({@link dev.kiln.core.paging.Page}), so that a store
 * pages in its query and every API reports the same total.
 */
package dev.kiln.core.paging;
