/* gis-indicators.h: the planners' indicators as tables and charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "gis-composition.h"
#include "gis-store.h"
#include "gis-types.h"

G_BEGIN_DECLS

/**
 * GisIndicator:
 * @GIS_INDICATOR_INCIDENTS_BY_CATEGORY: incidents per year and category
 *   (a stacked bar chart)
 * @GIS_INDICATOR_INCIDENTS_BY_COUNTRY: incidents per year and country (a
 *   line chart)
 * @GIS_INDICATOR_COVERAGE: the share of incidents and of habitat area
 *   that the current resources cover, by country (grouped bars)
 * @GIS_INDICATOR_HOTSPOTS: the cells of the latest emerging hot spot
 *   result by category: new, persistent… (horizontal bars)
 */
typedef enum
{
  GIS_INDICATOR_INCIDENTS_BY_CATEGORY,
  GIS_INDICATOR_INCIDENTS_BY_COUNTRY,
  GIS_INDICATOR_COVERAGE,
  GIS_INDICATOR_HOTSPOTS,
} GisIndicator;

#define GIS_N_INDICATORS 4

/** The resources' radius when neither the caller nor a radius_km field gives one. */
#define GIS_INDICATORS_DEFAULT_RADIUS_KM 50.0

/**
 * GisIndicatorTable:
 * @kind: the indicator
 * @n_rows: the rows: years, countries (then "total") or categories
 * @n_series: the columns: categories, countries, "incidents" and
 *   "habitat", or "cells"
 * @row_keys: (array length=n_rows): the rows' keys, as the store has them
 *   ("2015", "US", "new-hot-spot"); NULL-terminated
 * @series_keys: (array length=n_series): likewise; NULL-terminated
 * @values: n_rows × n_series values, row by row: counts, or shares in
 *   percent (NAN where there is nothing to cover)
 * @source: the layer read (the incidents, or the emerging hot spot result)
 * @radius_km: coverage: the fixed radius, or 0 when read from a
 *   radius_km field
 * @resources: coverage: the resource layers; NULL-terminated
 *
 * An indicator's values, independent of any language.
 */
typedef struct
{
  GisIndicator  kind;
  guint         n_rows;
  guint         n_series;
  char        **row_keys;
  char        **series_keys;
  double       *values;
  char         *source;
  double        radius_km;
  char        **resources;
} GisIndicatorTable;

const char        *gis_indicator_to_string          (GisIndicator          kind);
gboolean           gis_indicator_from_string        (const char           *str,
                                                     GisIndicator         *out_kind);
const char        *gis_indicator_get_title          (GisIndicator          kind,
                                                     GisLanguage           language);

GisIndicatorTable *gis_indicator_table_compute      (GisStore             *store,
                                                     GisIndicator          kind,
                                                     double                radius_km,
                                                     GCancellable         *cancellable,
                                                     GisProgressFunc       progress,
                                                     gpointer              progress_data,
                                                     GError              **error);
GisIndicatorTable *gis_indicator_table_new_from_csv (GisIndicator          kind,
                                                     const char           *csv,
                                                     GError              **error);
void               gis_indicator_table_free         (GisIndicatorTable    *table);
double             gis_indicator_table_get          (const GisIndicatorTable *table,
                                                     guint                 row,
                                                     guint                 series);
int                gis_indicator_table_find_row     (const GisIndicatorTable *table,
                                                     const char           *key);
int                gis_indicator_table_find_series  (const GisIndicatorTable *table,
                                                     const char           *key);
char              *gis_indicator_table_to_csv       (const GisIndicatorTable *table);
gboolean           gis_indicator_table_write_csv    (const GisIndicatorTable *table,
                                                     const char           *path,
                                                     GError              **error);
char              *gis_indicator_table_dup_row_label    (const GisIndicatorTable *table,
                                                         guint                 row,
                                                         GisLanguage           language);
char              *gis_indicator_table_dup_series_label (const GisIndicatorTable *table,
                                                         guint                 series,
                                                         GisLanguage           language);

void               gis_indicator_draw               (const GisIndicatorTable *table,
                                                     cairo_t              *cr,
                                                     double                x,
                                                     double                y,
                                                     double                width,
                                                     double                height,
                                                     GisLanguage           language,
                                                     GString              *svg_text);
gboolean           gis_indicator_export             (const GisIndicatorTable *table,
                                                     const char           *path,
                                                     GisComposeFormat      format,
                                                     int                   width_px,
                                                     int                   height_px,
                                                     GisLanguage           language,
                                                     GError              **error);

void               gis_indicators_add_page          (GisComposition       *composition,
                                                     const char           *store_path,
                                                     double                radius_km);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisIndicatorTable, gis_indicator_table_free)

G_END_DECLS
