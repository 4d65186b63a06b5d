/* gis-query-result.h: what a query's features carry, result layers, saved
 * and ready queries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-layer.h"
#include "gis-query.h"
#include "gis-store.h"

G_BEGIN_DECLS

/**
 * GisAnnotationKind:
 * @GIS_ANNOTATE_CONTAINING: a field of the first (lowest fid) feature of
 *   another layer the feature lies in or touches ("the habitat's name")
 * @GIS_ANNOTATE_COUNT: how many features of another layer it touches
 * @GIS_ANNOTATE_NEAREST_KM: the distance in km to the nearest feature of
 *   another layer
 */
typedef enum
{
  GIS_ANNOTATE_CONTAINING,
  GIS_ANNOTATE_COUNT,
  GIS_ANNOTATE_NEAREST_KM,
} GisAnnotationKind;

typedef struct
{
  GisAnnotationKind  kind;
  const char        *layer;
  const char        *field;     /* GIS_ANNOTATE_CONTAINING */
  const char        *column;    /* the result's column */
  GisDistanceMode    mode;      /* GIS_ANNOTATE_NEAREST_KM */
} GisQueryAnnotation;

GPtrArray  *gis_query_annotate            (GisStore                  *store,
                                           const char                *target,
                                           GArray                    *fids,
                                           const GisQueryAnnotation  *annotation,
                                           GCancellable              *cancellable,
                                           GError                   **error);

GisLayer   *gis_query_save_result         (GisStore                  *store,
                                           GisQuery                  *query,
                                           GArray                    *fids,
                                           const char                *name,
                                           const GisQueryAnnotation  *annotations,
                                           guint                      n_annotations,
                                           GisProgressFunc            progress,
                                           gpointer                   progress_data,
                                           GCancellable              *cancellable,
                                           GError                   **error);

/* saved queries */

gboolean    gis_store_save_query          (GisStore                  *store,
                                           const char                *name,
                                           GisQuery                  *query,
                                           GError                   **error);
GisQuery   *gis_store_load_query          (GisStore                  *store,
                                           const char                *name,
                                           GError                   **error);
char      **gis_store_list_queries        (GisStore                  *store,
                                           GError                   **error);
gboolean    gis_store_delete_query        (GisStore                  *store,
                                           const char                *name,
                                           GError                   **error);

/* ready enforcement queries */

/**
 * GisReadyQuery:
 * @GIS_READY_FACILITIES_UNCOVERED: facilities farther than D km from every
 *   port and resource
 * @GIS_READY_INCIDENTS_IN_HABITAT: incidents inside habitat, with the habitat's name
 * @GIS_READY_INCIDENTS_NEAR_BORDER: incidents within D km of the
 *   international boundary, with the country (side) they are in
 * @GIS_READY_HABITAT_UNPROTECTED: habitat with incidents but no resource
 *   (or port) within D km
 */
typedef enum
{
  GIS_READY_FACILITIES_UNCOVERED,
  GIS_READY_INCIDENTS_IN_HABITAT,
  GIS_READY_INCIDENTS_NEAR_BORDER,
  GIS_READY_HABITAT_UNPROTECTED,
} GisReadyQuery;

#define GIS_READY_QUERY_LAST GIS_READY_HABITAT_UNPROTECTED

typedef struct _GisReadyPlan GisReadyPlan;

const char     *gis_ready_query_to_string       (GisReadyQuery   ready);
gboolean        gis_ready_query_from_string     (const char     *str,
                                                 GisReadyQuery  *out);
const char     *gis_ready_query_get_title       (GisReadyQuery   ready);
gboolean        gis_ready_query_takes_distance  (GisReadyQuery   ready);
double          gis_ready_query_default_km      (GisReadyQuery   ready);

GisReadyPlan   *gis_ready_plan_new              (GisStore       *store,
                                                 GisReadyQuery   ready,
                                                 double          distance_km,
                                                 GisDistanceMode mode,
                                                 GError        **error);
void            gis_ready_plan_free             (GisReadyPlan   *plan);
GisQuery       *gis_ready_plan_get_query        (GisReadyPlan   *plan);
const GisQueryAnnotation *gis_ready_plan_get_annotations (GisReadyPlan *plan,
                                                          guint        *n);
const char     *gis_ready_plan_get_group_column (GisReadyPlan   *plan);
char           *gis_ready_plan_describe         (GisReadyPlan   *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisReadyPlan, gis_ready_plan_free)

G_END_DECLS
