/* gis-query.h: spatial and attribute queries without SQL
 *
 * A query names a target layer and a condition tree: spatial conditions
 * against another layer or a geometry given in lon/lat (within D km,
 * inside, intersects, disjoint, nearest N), attribute comparisons and a
 * date range, combined with AND, OR and NOT.  It is written as JSON (saved
 * queries, method records) and as a short text the user can type:
 *
 *   within 50 km of ports and not inside habitat
 *   severity >= 4 and category in ('ods_smuggling', 'hazardous_waste')
 *   inside polygon((-107 31, -106 31, -106 32, -107 32, -107 31))
 *   nearest 3 to ports or date from 2021 to 2022-06
 *
 * gis_query_plan() checks every layer and field against the store and
 * compiles the query to one parameterised SELECT that uses the layers'
 * R*Tree indexes; user values are bound, never pasted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-layer.h"
#include "gis-store.h"

G_BEGIN_DECLS

typedef enum
{
  GIS_QUERY_NODE_AND,
  GIS_QUERY_NODE_OR,
  GIS_QUERY_NODE_NOT,
  GIS_QUERY_NODE_SPATIAL,
  GIS_QUERY_NODE_COMPARE,
  GIS_QUERY_NODE_DATE,
} GisQueryNodeKind;

/**
 * GisSpatialOp:
 * @GIS_SPATIAL_WITHIN: within a distance of some reference feature
 * @GIS_SPATIAL_INSIDE: inside some reference feature (it contains the target)
 * @GIS_SPATIAL_INTERSECTS: intersects some reference feature
 * @GIS_SPATIAL_DISJOINT: intersects no reference feature
 * @GIS_SPATIAL_NEAREST: among the N target features nearest to a
 *   reference feature (to each one, for a layer)
 */
typedef enum
{
  GIS_SPATIAL_WITHIN,
  GIS_SPATIAL_INSIDE,
  GIS_SPATIAL_INTERSECTS,
  GIS_SPATIAL_DISJOINT,
  GIS_SPATIAL_NEAREST,
} GisSpatialOp;

/**
 * GisDistanceMode:
 * @GIS_DISTANCE_ANALYSIS: straight-line distance in the analysis CRS
 *   (the CEC North American Atlas LAEA)
 * @GIS_DISTANCE_GEODESIC: distance on the WGS 84 ellipsoid
 */
typedef enum
{
  GIS_DISTANCE_ANALYSIS,
  GIS_DISTANCE_GEODESIC,
} GisDistanceMode;

typedef enum
{
  GIS_COMPARE_EQ,
  GIS_COMPARE_NE,
  GIS_COMPARE_LT,
  GIS_COMPARE_LE,
  GIS_COMPARE_GT,
  GIS_COMPARE_GE,
  GIS_COMPARE_BETWEEN,
  GIS_COMPARE_IN,
  GIS_COMPARE_LIKE,
  GIS_COMPARE_IS_NULL,
  GIS_COMPARE_IS_NOT_NULL,
} GisCompareOp;

/** The most features "nearest N" asks for. */
#define GIS_QUERY_MAX_NEAREST 10000

/** The longest distance a query takes, in km. */
#define GIS_QUERY_MAX_DISTANCE_KM 20000.0

#define GIS_TYPE_QUERY_NODE (gis_query_node_get_type ())
#define GIS_TYPE_QUERY      (gis_query_get_type ())

typedef struct _GisQueryNode GisQueryNode;
typedef struct _GisQuery     GisQuery;

GType             gis_query_node_get_type         (void) G_GNUC_CONST;

GisQueryNode     *gis_query_node_new_and          (GisQueryNode       *a,
                                                   GisQueryNode       *b);
GisQueryNode     *gis_query_node_new_or           (GisQueryNode       *a,
                                                   GisQueryNode       *b);
GisQueryNode     *gis_query_node_new_group        (GisQueryNodeKind    kind,
                                                   GisQueryNode *const *children,
                                                   guint               n_children);
GisQueryNode     *gis_query_node_new_not          (GisQueryNode       *child);
GisQueryNode     *gis_query_node_new_spatial      (GisSpatialOp        op,
                                                   const char         *layer,
                                                   const char         *wkt,
                                                   double              distance_km,
                                                   guint               n_nearest,
                                                   GisDistanceMode     mode);
GisQueryNode     *gis_query_node_new_compare      (const char         *field,
                                                   GisCompareOp        op,
                                                   const char *const  *values);
GisQueryNode     *gis_query_node_new_date_range   (const char         *from,
                                                   const char         *to,
                                                   GError            **error);

GisQueryNode     *gis_query_node_ref              (GisQueryNode       *node);
void              gis_query_node_unref            (GisQueryNode       *node);

GisQueryNodeKind  gis_query_node_get_kind         (GisQueryNode       *node);
guint             gis_query_node_get_n_children   (GisQueryNode       *node);
GisQueryNode     *gis_query_node_get_child        (GisQueryNode       *node,
                                                   guint               i);
GisSpatialOp      gis_query_node_get_spatial_op   (GisQueryNode       *node);
const char       *gis_query_node_get_layer        (GisQueryNode       *node);
const char       *gis_query_node_get_wkt          (GisQueryNode       *node);
double            gis_query_node_get_distance_km  (GisQueryNode       *node);
guint             gis_query_node_get_n_nearest    (GisQueryNode       *node);
GisDistanceMode   gis_query_node_get_distance_mode (GisQueryNode      *node);
const char       *gis_query_node_get_field        (GisQueryNode       *node);
GisCompareOp      gis_query_node_get_compare_op   (GisQueryNode       *node);
const char *const *gis_query_node_get_values      (GisQueryNode       *node);
const char       *gis_query_node_get_date_from    (GisQueryNode       *node);
const char       *gis_query_node_get_date_to      (GisQueryNode       *node);

GType             gis_query_get_type              (void) G_GNUC_CONST;

GisQuery         *gis_query_new                   (const char         *target,
                                                   GisQueryNode       *where);
GisQuery         *gis_query_parse                 (const char         *target,
                                                   const char         *text,
                                                   GError            **error);
GisQuery         *gis_query_new_from_json         (const char         *json,
                                                   GError            **error);
GisQuery         *gis_query_ref                   (GisQuery           *query);
void              gis_query_unref                 (GisQuery           *query);

const char       *gis_query_get_target            (GisQuery           *query);
GisQueryNode     *gis_query_get_where             (GisQuery           *query);
char             *gis_query_to_json               (GisQuery           *query);
char             *gis_query_to_string             (GisQuery           *query);
char             *gis_query_node_to_string        (GisQueryNode       *node);

GisQueryNode     *gis_query_parse_condition       (const char         *text,
                                                   GError            **error);

gboolean          gis_query_parse_period          (const char         *text,
                                                   gboolean            end,
                                                   gint64             *out_unix_s);

const char       *gis_spatial_op_to_string        (GisSpatialOp        op);
const char       *gis_compare_op_to_string        (GisCompareOp        op);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisQueryNode, gis_query_node_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisQuery, gis_query_unref)

G_END_DECLS
