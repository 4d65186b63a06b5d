/* gis-import.h: vector files into a store, all or nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-store.h"

G_BEGIN_DECLS

/** How many rejected rows a report lists one by one; all are counted. */
#define GIS_IMPORT_MAX_LISTED 10000

/**
 * GisImportOptions:
 * @layer_name: (nullable): name of the new layer; default: the source
 *   layer's name or the file's base name
 * @source_layer: (nullable): which layer of a multi-layer source
 * @role: what the layer is for
 * @x_field: (nullable): CSV column of longitudes or eastings
 * @y_field: (nullable): CSV column of latitudes or northings
 * @wkt_field: (nullable): CSV column of WKT geometries
 * @src_crs: (nullable): CRS of the source; overrides what the file says;
 *   default EPSG:4326 where the file says nothing
 * @date_field: (nullable): column normalised into occurred_at
 * @date_format: (nullable): strptime directives for @date_field;
 *   default ISO 8601
 * @category_field: (nullable): column normalised into category
 * @severity_field: (nullable): column normalised into severity
 * @country_field: (nullable): column normalised into country (CA, US, MX)
 * @encoding: (nullable): text encoding of a CSV file; default UTF-8
 * @delimiter: CSV delimiter, 0 to detect it
 * @decimal_comma: CSV numbers use a decimal comma: 1 yes, 0 no, -1 when
 *   the delimiter is ';'
 * @skip_bad_rows: import the good rows when some are rejected
 * @no_geometry: import an attribute table (for joins) without geometry
 */
struct _GisImportOptions
{
  char         *layer_name;
  char         *source_layer;
  GisLayerRole  role;
  char         *x_field;
  char         *y_field;
  char         *wkt_field;
  char         *src_crs;
  char         *date_field;
  char         *date_format;
  char         *category_field;
  char         *severity_field;
  char         *country_field;
  char         *encoding;
  char          delimiter;
  int           decimal_comma;
  gboolean      skip_bad_rows;
  gboolean      no_geometry;
};

typedef struct
{
  guint64  row;     /* 1-based data row (feature) number */
  guint64  line;    /* physical line of a CSV file; 0 otherwise */
  char    *field;   /* (nullable) */
  char    *reason;
} GisRejectedRow;

struct _GisImportReport
{
  char      *source_path;
  char      *source_layer;
  char      *source_crs;
  char      *layer_name;
  char      *table_name;
  char      *geometry_type;
  guint64    rows_read;
  guint64    rows_imported;
  guint64    rows_rejected;
  GPtrArray *rejected;      /* GisRejectedRow, at most GIS_IMPORT_MAX_LISTED */
  GPtrArray *notes;         /* char *, translated remarks (renamed columns...) */
  double     seconds;
};

GisImportOptions *gis_import_options_new     (void);
void              gis_import_options_free    (GisImportOptions *options);
void              gis_import_report_free     (GisImportReport  *report);
char             *gis_rejected_row_describe  (const GisRejectedRow *row);

GisLayer         *gis_store_import           (GisStore               *store,
                                              const char             *path,
                                              const GisImportOptions *options,
                                              GisProgressFunc         progress,
                                              gpointer                progress_data,
                                              GCancellable           *cancellable,
                                              GisImportReport       **out_report,
                                              GError                **error);

char            **gis_import_list_layers     (const char             *path,
                                              GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisImportOptions, gis_import_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisImportReport, gis_import_report_free)

G_END_DECLS
