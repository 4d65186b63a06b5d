/* gis-hotspots-input.h: the points every hotspot method starts from
 *
 * A point layer of a store, filtered by category, period and severity,
 * read as flat arrays projected to the analysis CRS (DESIGN §4), with a
 * weight per point and, when the layer has them, its time, category and
 * country.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gis-types.h"
#include "gis-layer.h"

G_BEGIN_DECLS

/**
 * GisHotspotInput:
 * @layer: the name of a point layer
 * @categories: (nullable) (array zero-terminated=1): keep the points whose
 *   "category" is one of these; %NULL or empty keeps all
 * @date_from: (nullable): keep the points on or after the start of this
 *   period ("YYYY", "YYYY-MM" or "YYYY-MM-DD", gis_query_parse_period())
 * @date_to: (nullable): keep the points on or before the end of this period
 * @min_severity: keep the points whose "severity" is at least this; -1 keeps all
 * @weight_field: (nullable): a numeric field whose value weighs each point
 *   (points where it is empty are left out); %NULL weighs every point 1
 *
 * What a hotspot method reads.  The caller owns the strings.
 */
typedef struct
{
  const char         *layer;
  const char *const  *categories;
  const char         *date_from;
  const char         *date_to;
  double              min_severity;
  const char         *weight_field;
} GisHotspotInput;

/**
 * GisHotspotPoints:
 * @n: how many points
 * @x: (array length=n): eastings in the analysis CRS, metres
 * @y: (array length=n): northings, metres
 * @weight: (array length=n): the weights (1 without a weight field)
 * @time_s: (array length=n): "occurred_at" in seconds since the Unix
 *   epoch, UTC; NAN when empty or when the layer has no dates
 * @fid: (array length=n): the features' fids
 * @category: (array length=n): index in @category_names, -1 when empty
 * @country: (array length=n): index in @country_names, -1 when empty
 * @category_names: (element-type utf8): the distinct categories read
 * @country_names: (element-type utf8): the distinct country codes read
 * @has_time: the layer has an "occurred_at" column
 * @layer: (transfer full): the layer read
 *
 * Points read by gis_hotspot_points_load(), in fid order.
 */
typedef struct
{
  gsize       n;
  double     *x;
  double     *y;
  double     *weight;
  double     *time_s;
  gint64     *fid;
  gint32     *category;
  gint32     *country;
  GPtrArray  *category_names;
  GPtrArray  *country_names;
  gboolean    has_time;
  GisLayer   *layer;
} GisHotspotPoints;

void      gis_hotspot_input_init      (GisHotspotInput        *input);
gboolean  gis_hotspot_input_check     (GisStore               *store,
                                       const GisHotspotInput  *input,
                                       GError                **error);
void      gis_hotspot_input_to_json   (const GisHotspotInput  *input,
                                       JsonBuilder            *builder);

gboolean  gis_hotspot_points_load     (GisStore               *store,
                                       const GisHotspotInput  *input,
                                       GisHotspotPoints       *out,
                                       GCancellable           *cancellable,
                                       GError                **error);
void      gis_hotspot_points_clear    (GisHotspotPoints       *points);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisHotspotPoints, gis_hotspot_points_clear)

G_END_DECLS
