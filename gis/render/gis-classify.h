/* gis-classify.h: class breaks of numeric values for graduated styles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * GisClassifyMethod:
 * @GIS_CLASSIFY_QUANTILE: equal count: the breaks are the i/k sample
 *   quantiles, Hyndman and Fan type 7 (linear interpolation between order
 *   statistics at h = (n − 1) i/k; R's default and what QGIS computes)
 * @GIS_CLASSIFY_EQUAL_INTERVAL: the range from the minimum to the
 *   maximum in k equal steps
 * @GIS_CLASSIFY_NATURAL_BREAKS: Jenks natural breaks by Fisher's exact
 *   dynamic programming (least total within-class sum of squares); above
 *   %GIS_CLASSIFY_JENKS_MAX_SAMPLE values, on a deterministic sample
 *
 * How gis_classify_breaks() places the breaks.
 */
typedef enum
{
  GIS_CLASSIFY_QUANTILE,
  GIS_CLASSIFY_EQUAL_INTERVAL,
  GIS_CLASSIFY_NATURAL_BREAKS,
} GisClassifyMethod;

/** Natural breaks run on at most this many values (as QGIS does). */
#define GIS_CLASSIFY_JENKS_MAX_SAMPLE 3000

/** The most classes a graduated style has. */
#define GIS_CLASSIFY_MAX_CLASSES 64

gboolean     gis_classify_breaks            (const double      *values,
                                             gsize              n,
                                             GisClassifyMethod  method,
                                             guint              k,
                                             double            *breaks);
guint        gis_classify_find_class        (const double      *breaks,
                                             guint              k,
                                             double             value);
const char  *gis_classify_method_to_string  (GisClassifyMethod  method);
gboolean     gis_classify_method_from_string (const char       *str,
                                             GisClassifyMethod *out_method);

G_END_DECLS
