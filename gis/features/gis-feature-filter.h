/* gis-feature-filter.h: which features of a layer to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define GIS_TYPE_FEATURE_FILTER (gis_feature_filter_get_type ())

typedef struct _GisFeatureFilter GisFeatureFilter;

/**
 * GisFeatureFilterKind:
 * @GIS_FEATURE_FILTER_TEXT: free text found in any text column
 * @GIS_FEATURE_FILTER_CONDITION: one condition on one column
 * @GIS_FEATURE_FILTER_ALL: all of several filters
 */
typedef enum
{
  GIS_FEATURE_FILTER_TEXT,
  GIS_FEATURE_FILTER_CONDITION,
  GIS_FEATURE_FILTER_ALL,
} GisFeatureFilterKind;

/**
 * GisFilterOperator:
 * @GIS_FILTER_EQUAL: equal to the value
 * @GIS_FILTER_NOT_EQUAL: not equal to the value; features without a value
 *   match too
 * @GIS_FILTER_LESS: less than the value
 * @GIS_FILTER_LESS_OR_EQUAL: less than or equal to the value
 * @GIS_FILTER_GREATER: greater than the value
 * @GIS_FILTER_GREATER_OR_EQUAL: greater than or equal to the value
 * @GIS_FILTER_CONTAINS: the value, as text, contains the given text
 *   (ignoring ASCII case)
 * @GIS_FILTER_IS_NULL: the feature has no value
 * @GIS_FILTER_IS_NOT_NULL: the feature has a value
 *
 * Comparisons are numeric on integer and real columns (the value must be
 * a number) and by code point on text columns (so ISO 8601 dates compare
 * as dates).
 */
typedef enum
{
  GIS_FILTER_EQUAL,
  GIS_FILTER_NOT_EQUAL,
  GIS_FILTER_LESS,
  GIS_FILTER_LESS_OR_EQUAL,
  GIS_FILTER_GREATER,
  GIS_FILTER_GREATER_OR_EQUAL,
  GIS_FILTER_CONTAINS,
  GIS_FILTER_IS_NULL,
  GIS_FILTER_IS_NOT_NULL,
} GisFilterOperator;

#define GIS_FILTER_N_OPERATORS (GIS_FILTER_IS_NOT_NULL + 1)

GType                 gis_feature_filter_get_type      (void) G_GNUC_CONST;
GisFeatureFilter     *gis_feature_filter_new_text      (const char        *text);
GisFeatureFilter     *gis_feature_filter_new_condition (const char        *column,
                                                        GisFilterOperator  op,
                                                        const char        *value);
GisFeatureFilter     *gis_feature_filter_new_all       (GisFeatureFilter *const *filters,
                                                        guint              n_filters);
GisFeatureFilter     *gis_feature_filter_ref           (GisFeatureFilter  *self);
void                  gis_feature_filter_unref         (GisFeatureFilter  *self);
GisFeatureFilterKind  gis_feature_filter_get_kind      (GisFeatureFilter  *self);
const char           *gis_feature_filter_get_text      (GisFeatureFilter  *self);
const char           *gis_feature_filter_get_column    (GisFeatureFilter  *self);
GisFilterOperator     gis_feature_filter_get_operator  (GisFeatureFilter  *self);
const char           *gis_feature_filter_get_value     (GisFeatureFilter  *self);
guint                 gis_feature_filter_get_n_parts   (GisFeatureFilter  *self);
GisFeatureFilter     *gis_feature_filter_get_part      (GisFeatureFilter  *self,
                                                        guint              index);
gboolean              gis_feature_filter_equal         (GisFeatureFilter  *a,
                                                        GisFeatureFilter  *b);

const char           *gis_filter_operator_to_symbol    (GisFilterOperator  op);
const char           *gis_filter_operator_to_label     (GisFilterOperator  op);
gboolean              gis_filter_operator_takes_value  (GisFilterOperator  op);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisFeatureFilter, gis_feature_filter_unref)

G_END_DECLS
