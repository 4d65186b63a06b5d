/* gis-hotspots-kde.c: kernel density of a store's points, saved as a raster layer
 *
 * The points of a GisHotspotInput, projected to the analysis CRS, go
 * through gis_kde_run() on a grid that holds every kernel whole; the
 * surface becomes a float32 raster layer of role "result" with a colour
 * ramp style (low values transparent) and the method record of the run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-hotspots-kde"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "gis-crs.h"
#include "gis-error.h"
#include "gis-hotspots-kde.h"
#include "gis-runs.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"
#include "gis-style.h"

/* The fast method bins the points to a sub-grid this many times finer
 * than the cells: a point moves by at most cell / (5 √2). */
#define KDE_FAST_SUBGRID 5

/* The saved style's ramp ends at this quantile of the cells above 0. */
#define KDE_RAMP_QUANTILE 0.995

/* Empty cells of a stored surface: none is negative. */
#define KDE_NODATA -9999.0

void
gis_hotspots_kde_params_init (GisHotspotsKdeParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  gis_hotspot_input_init (&params->input);
  params->kernel = GIS_KDE_KERNEL_QUARTIC;
  params->output = GIS_KDE_OUTPUT_DENSITY;
  params->method = GIS_KDE_METHOD_FAST;
}

void
gis_hotspots_kde_result_clear (GisHotspotsKdeResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->raster, gis_raster_free);
  g_clear_pointer (&result->started_at, g_free);
  g_clear_object (&result->input_layer);
  memset (result, 0, sizeof *result);
}

static const char *const output_ids[] = {
  [GIS_KDE_OUTPUT_DENSITY] = "density",
  [GIS_KDE_OUTPUT_EXPECTED_COUNT] = "count",
  [GIS_KDE_OUTPUT_RAW] = "raw",
};

/**
 * gis_kde_output_to_string:
 * @output: an output
 *
 * Returns: "density", "count" or "raw"
 */
const char *
gis_kde_output_to_string (GisKdeOutput output)
{
  g_return_val_if_fail ((guint) output < G_N_ELEMENTS (output_ids), NULL);
  return output_ids[output];
}

gboolean
gis_kde_output_from_string (const char   *str,
                            GisKdeOutput *out_output)
{
  g_return_val_if_fail (out_output != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (output_ids); i++)
    if (g_ascii_strcasecmp (str, output_ids[i]) == 0)
      {
        *out_output = (GisKdeOutput) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * gis_hotspots_kde_run:
 * @store: a store
 * @params: what to compute
 * @out: (out caller-allocates): the surface; clear with gis_hotspots_kde_result_clear()
 * @cancellable: (nullable): stops the work
 * @progress: (nullable): called now and then, on the calling thread
 * @progress_data: its data
 * @error: return location for an error
 *
 * Reads the points and computes their kernel density on a grid over
 * their extent grown by the radius (so the expected-count output sums to
 * the total weight).  Runs on any thread; the store must not be used by
 * another thread meanwhile.
 *
 * Returns: %TRUE on success
 */
gboolean
gis_hotspots_kde_run (GisStore                   *store,
                      const GisHotspotsKdeParams *params,
                      GisHotspotsKdeResult       *out,
                      GCancellable               *cancellable,
                      GisProgressFunc             progress,
                      gpointer                    progress_data,
                      GError                    **error)
{
  g_auto(GisHotspotPoints) pts = { 0 };
  g_auto(GisKdeResult) kde = { 0 };
  g_autoptr(GisCrs) analysis = gis_crs_new_analysis ();
  GisKdeParams kp = { 0 };
  GisKdeGrid grid;
  gint64 t0, t1;
  double gt[6];
  gsize n_cells;

  g_return_val_if_fail (GIS_IS_STORE (store), FALSE);
  g_return_val_if_fail (params != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (params->radius_km < 0 || !isfinite (params->radius_km))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The radius must be a positive distance"));
      return FALSE;
    }
  if (params->cell_km < 0 || !isfinite (params->cell_km))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The cell size must be a positive distance"));
      return FALSE;
    }

  out->started_at = gis_sql_now_iso8601 ();
  t0 = g_get_monotonic_time ();
  if (progress != NULL)
    progress (-1, _("Reading the points"), progress_data);
  if (!gis_hotspot_points_load (store, &params->input, &pts, cancellable, error))
    goto fail;
  if (pts.n == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("No point of “%s” passes the filters"),
                   params->input.layer);
      goto fail;
    }
  t1 = g_get_monotonic_time ();
  out->read_s = (t1 - t0) / 1e6;

  if (params->radius_km > 0)
    out->radius_m = params->radius_km * 1000;
  else
    {
      if (!gis_kde_silverman_radius (pts.x, pts.y, params->input.weight_field != NULL ? pts.weight : NULL, pts.n,
                                     &out->radius_m, error))
        goto fail;
      out->radius_from_silverman = TRUE;
    }
  if (!gis_kde_grid_for_points (pts.x, pts.y, pts.n, out->radius_m, params->cell_km * 1000, &grid, error))
    goto fail;

  kp.kernel = params->kernel;
  kp.output = params->output;
  kp.method = params->method;
  kp.radius_m = out->radius_m;
  kp.subgrid = params->method == GIS_KDE_METHOD_FAST ? KDE_FAST_SUBGRID : 0;
  kp.n_threads = params->n_threads;
  if (!gis_kde_run (pts.x, pts.y, params->input.weight_field != NULL ? pts.weight : NULL, pts.n, &kp, &grid, &kde,
                    cancellable, progress, progress_data, error))
    goto fail;
  out->kde_s = (g_get_monotonic_time () - t1) / 1e6;

  gt[0] = kde.grid.x_min;
  gt[1] = kde.grid.cell_size_m;
  gt[2] = 0;
  gt[3] = kde.grid.y_max;
  gt[4] = 0;
  gt[5] = -kde.grid.cell_size_m;
  out->raster = gis_raster_new (kde.grid.nx, kde.grid.ny, gt, gis_crs_get_proj_input (analysis));
  out->raster->has_nodata = TRUE;
  out->raster->nodata = KDE_NODATA;
  n_cells = (gsize) kde.grid.nx * kde.grid.ny;
  for (gsize i = 0; i < n_cells; i++)
    out->raster->data[i] = (float) kde.values[i];

  out->params = *params;
  out->n_points = pts.n;
  for (gsize i = 0; i < pts.n; i++)
    out->total_weight += pts.weight[i];
  out->cell_m = kde.grid.cell_size_m;
  out->input_layer = g_object_ref (pts.layer);
  return TRUE;

fail:
  gis_hotspots_kde_result_clear (out);
  return FALSE;
}

/**
 * gis_hotspots_kde_params_json:
 * @result: a run
 *
 * The parameters of the method record: the kernel, output and method,
 * the radius used and whether the Silverman rule chose it, the cell size,
 * the grid, the CRS, the input's filters and what was read.
 *
 * Returns: (transfer full): a JSON object
 */
char *
gis_hotspots_kde_params_json (const GisHotspotsKdeResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const GisHotspotsKdeParams *p;

  g_return_val_if_fail (result != NULL && result->raster != NULL, NULL);

  p = &result->params;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, "kde");
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, gis_kde_kernel_to_string (p->kernel));
  json_builder_set_member_name (b, "output");
  json_builder_add_string_value (b, gis_kde_output_to_string (p->output));
  json_builder_set_member_name (b, "units");
  json_builder_add_string_value (b, p->output == GIS_KDE_OUTPUT_DENSITY ? "per km²"
                                    : p->output == GIS_KDE_OUTPUT_EXPECTED_COUNT ? "per cell" : "kernel sum");
  json_builder_set_member_name (b, "computation");
  json_builder_add_string_value (b, p->method == GIS_KDE_METHOD_FAST ? "fast" : "exact");
  if (p->method == GIS_KDE_METHOD_FAST)
    {
      json_builder_set_member_name (b, "subgrid");
      json_builder_add_int_value (b, KDE_FAST_SUBGRID);
    }
  json_builder_set_member_name (b, "radius_km");
  json_builder_add_double_value (b, result->radius_m / 1000);
  json_builder_set_member_name (b, "radius_rule");
  json_builder_add_string_value (b, result->radius_from_silverman ? "silverman" : "given");
  json_builder_set_member_name (b, "cell_km");
  json_builder_add_double_value (b, result->cell_m / 1000);
  json_builder_set_member_name (b, "cell_rule");
  json_builder_add_string_value (b, p->cell_km > 0 ? "given" : "min(extent/250, radius/5)");
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, result->raster->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, result->raster->height);
  json_builder_set_member_name (b, "crs");
  json_builder_add_string_value (b, GIS_CRS_CEC_LAEA_ID);
  json_builder_set_member_name (b, "input");
  json_builder_begin_object (b);
  gis_hotspot_input_to_json (&p->input, b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "points");
  json_builder_add_int_value (b, (gint64) result->n_points);
  json_builder_set_member_name (b, "total_weight");
  json_builder_add_double_value (b, result->total_weight);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/**
 * gis_hotspots_kde_save:
 * @store: the store the surface was computed on, open for writing
 * @result: a run of gis_hotspots_kde_run()
 * @name: the new layer's name
 * @error: return location for an error
 *
 * Writes the surface as a raster layer of role "result", styled with a
 * colour ramp whose low values are transparent, and its method record
 * (parameters and the input layer's fingerprint), in one transaction.
 *
 * Returns: (transfer full) (nullable): the new layer
 */
GisLayer *
gis_hotspots_kde_save (GisStore             *store,
                       GisHotspotsKdeResult *result,
                       const char           *name,
                       GError              **error)
{
  sqlite3 *db;
  g_autofree char *trimmed = NULL;
  g_autofree char *params = NULL;
  g_autofree char *style_json = NULL;
  g_autoptr(GisLayer) layer = NULL;
  g_autoptr(GisStyle) style = NULL;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  double ramp_max;

  g_return_val_if_fail (GIS_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL && result->raster != NULL && name != NULL, NULL);

  if (gis_store_is_read_only (store))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_READ_ONLY, _("“%s” is open read-only: the result cannot be saved"),
                   gis_store_get_path (store));
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("A layer needs a name"));
      return NULL;
    }
  params = gis_hotspots_kde_params_json (result);
  /* the ramp from 0 to the 99.5th percentile of the cells above 0: a
   * density surface is skewed, and a ramp to its peak would leave all but
   * the peaks transparent */
  if (!gis_raster_get_quantile (result->raster, KDE_RAMP_QUANTILE, &ramp_max))
    ramp_max = NAN;
  style = gis_style_new_raster (GIS_COLOR_RAMP_YLORRD, 0, ramp_max, GIS_STYLE_RASTER_CUTOFF, TRUE);
  style_json = gis_style_to_json (style);
  g_ptr_array_add (inputs, result->input_layer);

  db = gis_store_get_db (store);
  if (!gis_sql_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  layer = gis_store_save_raster (store, trimmed, result->raster, GIS_LAYER_ROLE_RESULT, _("kernel density"), error);
  if (layer == NULL)
    goto fail;
  gis_layer_set_style_json (layer, style_json);
  if (!gis_store_save_layer_properties (store, layer, error) ||
      gis_store_add_run (store, "kde", params, inputs, result->started_at, layer, error) == 0 ||
      !gis_sql_exec (db, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&layer);

fail:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return NULL;
}
