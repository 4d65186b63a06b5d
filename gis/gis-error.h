/* gis-error.h: the GIS_ERROR domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GIS_ERROR (gis_error_quark ())

/**
 * GisError:
 * @GIS_ERROR_FAILED: anything else
 * @GIS_ERROR_NOT_FOUND: a file, layer, field or feature does not exist
 * @GIS_ERROR_INVALID_INPUT: the input is malformed (names the file, row or field)
 * @GIS_ERROR_NOT_A_STORE: the file is not an Atalaya store
 * @GIS_ERROR_CORRUPT: the store is truncated or damaged
 * @GIS_ERROR_NEWER_VERSION: the store was written by a newer Atalaya
 * @GIS_ERROR_CRS: a coordinate reference system is unknown or cannot be used
 * @GIS_ERROR_IO: reading or writing a file failed
 * @GIS_ERROR_READ_ONLY: a statement would write to a read-only connection
 * @GIS_ERROR_SQL: the database refused a statement
 * @GIS_ERROR_EXISTS: the thing to create already exists
 * @GIS_ERROR_UNSUPPORTED: the format or operation is not supported
 * @GIS_ERROR_REJECTED_ROWS: some rows could not be imported; nothing was written
 */
typedef enum
{
  GIS_ERROR_FAILED,
  GIS_ERROR_NOT_FOUND,
  GIS_ERROR_INVALID_INPUT,
  GIS_ERROR_NOT_A_STORE,
  GIS_ERROR_CORRUPT,
  GIS_ERROR_NEWER_VERSION,
  GIS_ERROR_CRS,
  GIS_ERROR_IO,
  GIS_ERROR_READ_ONLY,
  GIS_ERROR_SQL,
  GIS_ERROR_EXISTS,
  GIS_ERROR_UNSUPPORTED,
  GIS_ERROR_REJECTED_ROWS,
} GisError;

GQuark gis_error_quark (void);

G_END_DECLS
