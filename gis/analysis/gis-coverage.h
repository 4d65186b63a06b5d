/* gis-coverage.h: where enforcement is missing, and where to add it
 *
 * Resources (ports, offices, patrol bases) cover a disc of a fixed radius,
 * or of a radius read from a field, in the analysis CRS.  The zone to
 * cover is a polygon layer (habitat) or a border corridor built from the
 * international boundary; facilities and demand (incidents) are points.
 * Results: the uncovered parts of the zone with their areas, the covered
 * share, the facilities and the demand outside coverage, each broken down
 * by country; and the K new sites that would cover the most demand
 * (DESIGN §6, Coverage).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-layer.h"
#include "gis-mclp.h"
#include "gis-store.h"
#include "gis-types.h"

G_BEGIN_DECLS

typedef enum
{
  GIS_COVERAGE_ZONE_NONE,
  GIS_COVERAGE_ZONE_LAYER,
  GIS_COVERAGE_ZONE_CORRIDOR,
} GisCoverageZone;

/** The buffers' segments per quarter circle, unless asked otherwise. */
#define GIS_COVERAGE_QUADRANT_SEGMENTS 32

typedef struct
{
  const char *const *resources;        /* layer names, NULL-terminated */
  double             radius_km;        /* each resource's, unless read from: */
  const char        *radius_field;     /* nullable: a field in km (empty or <= 0: radius_km) */
  GisCoverageZone    zone;
  const char        *zone_layer;       /* polygons, for GIS_COVERAGE_ZONE_LAYER */
  const char        *boundary_layer;   /* lines, for GIS_COVERAGE_ZONE_CORRIDOR */
  double             corridor_km;      /* its width on each side */
  const char        *corridor_side;    /* a country code (CA, US, MX), or NULL: both sides */
  const char        *corridor_pair;    /* "US-MX": only that boundary; NULL: every line */
  const char        *countries_layer;  /* polygons with a "country" field; NULL: found by role */
  const char        *facilities_layer; /* nullable */
  const char        *demand_layer;     /* nullable: incidents */
  const char        *weight_field;     /* nullable: demand weight, e.g. severity; else 1 each */
  gboolean           cross_border;     /* may a resource cover across the boundary? */
  int                quadrant_segments; /* 0: GIS_COVERAGE_QUADRANT_SEGMENTS */
} GisCoverageParams;

typedef struct
{
  char    *country;                    /* "CA", "US", "MX"; "" outside every country */
  double   zone_km2;
  double   uncovered_km2;
  guint    n_facilities;
  guint    n_facilities_uncovered;
  guint    n_demand;
  guint    n_demand_uncovered;
  double   demand;                     /* weighted */
  double   demand_uncovered;
} GisCoverageCountry;

typedef struct
{
  gint64   fid;
  double   nearest_km;                 /* to the nearest resource, any country */
  int      country;                    /* index into the countries, -1 none */
} GisCoverageFacility;

typedef struct
{
  GBytes  *wkb;                        /* MULTIPOLYGON WKB, lon/lat */
  gint64   zone_fid;                   /* the zone feature (-1 for a corridor) */
  int      country;
  double   area_km2;
} GisCoverageArea;

typedef struct _GisCoverageResult GisCoverageResult;

GisCoverageResult *gis_coverage_run                   (GisStore                 *store,
                                                       const GisCoverageParams  *params,
                                                       GisProgressFunc           progress,
                                                       gpointer                  progress_data,
                                                       GCancellable             *cancellable,
                                                       GError                  **error);
void               gis_coverage_result_free           (GisCoverageResult        *result);

double             gis_coverage_result_get_zone_km2   (GisCoverageResult        *result);
double             gis_coverage_result_get_uncovered_km2 (GisCoverageResult     *result);
guint              gis_coverage_result_get_n_countries (GisCoverageResult       *result);
const GisCoverageCountry *gis_coverage_result_get_country (GisCoverageResult    *result,
                                                       guint                     i);
const GisCoverageCountry *gis_coverage_result_get_total (GisCoverageResult      *result);
guint              gis_coverage_result_get_n_areas    (GisCoverageResult        *result);
const GisCoverageArea *gis_coverage_result_get_area   (GisCoverageResult        *result,
                                                       guint                     i);
guint              gis_coverage_result_get_n_uncovered_facilities (GisCoverageResult *result);
const GisCoverageFacility *gis_coverage_result_get_uncovered_facility (GisCoverageResult *result,
                                                       guint                     i);
GArray            *gis_coverage_result_get_uncovered_demand (GisCoverageResult  *result);
guint              gis_coverage_result_get_n_resources (GisCoverageResult       *result);
char              *gis_coverage_result_to_json        (GisCoverageResult        *result);

/* siting: the maximal covering location problem */

typedef struct
{
  guint        k;
  const char  *candidates_layer;       /* nullable: else a grid over the zone */
  double       grid_km;                /* the grid's spacing */
  double       radius_km;              /* a new site's radius; 0: the resources' */
  guint64      exact_max_nodes;        /* 0: no exact solve */
} GisSitingParams;

typedef struct
{
  double   lon, lat;
  gint64   candidate_fid;              /* -1 for a grid cell */
  double   added_demand;               /* weighted */
  guint    added_count;
  int      country;
  double   radius_km;
} GisSite;

typedef struct _GisSitingResult GisSitingResult;

GisSitingResult   *gis_coverage_site                  (GisStore                 *store,
                                                       GisCoverageResult        *coverage,
                                                       const GisSitingParams    *siting,
                                                       GisProgressFunc           progress,
                                                       gpointer                  progress_data,
                                                       GCancellable             *cancellable,
                                                       GError                  **error);
void               gis_siting_result_free             (GisSitingResult          *result);
guint              gis_siting_result_get_n_sites      (GisSitingResult          *result);
const GisSite     *gis_siting_result_get_site         (GisSitingResult          *result,
                                                       guint                     i);
guint              gis_siting_result_get_n_candidates (GisSitingResult          *result);
double             gis_siting_result_get_uncovered_before (GisSitingResult      *result);
double             gis_siting_result_get_greedy_value (GisSitingResult          *result);
double             gis_siting_result_get_upper_bound  (GisSitingResult          *result);
gboolean           gis_siting_result_get_exact        (GisSitingResult          *result,
                                                       double                   *out_value);
const char        *gis_siting_result_get_country_code (GisSitingResult          *result,
                                                       int                       country);
char              *gis_siting_result_to_json          (GisSitingResult          *result);

GPtrArray         *gis_coverage_save                  (GisStore                 *store,
                                                       GisCoverageResult        *result,
                                                       GisSitingResult          *siting,
                                                       const char               *name,
                                                       GisProgressFunc           progress,
                                                       gpointer                  progress_data,
                                                       GCancellable             *cancellable,
                                                       GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisCoverageResult, gis_coverage_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisSitingResult, gis_siting_result_free)

G_END_DECLS
