/* gis-crs.c: CRS definitions (no PROJ object kept) and transforms
 *
 * A GisCrs holds only strings, so it can cross threads.  A GisTransform
 * holds a PJ made on the calling thread's context and must stay on it.
 * Every PJ is normalised for visualisation: geographic CRS are longitude
 * first, whatever the authority says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-crs"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <proj.h>

#include "gis-crs.h"
#include "gis-error.h"
#include "gis-thread-private.h"

struct _GisCrs
{
  char     *definition;   /* as the user gave it, or a preset id */
  char     *proj_input;   /* what PROJ and GDAL are given */
  char     *name;
  char     *wkt;
  gboolean  geographic;
};

G_DEFINE_BOXED_TYPE (GisCrs, gis_crs, gis_crs_ref, gis_crs_unref)

#define CEC_LAEA_PROJ \
  "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs +type=crs"

static const GisCrsPreset presets[] = {
  { GIS_CRS_CEC_LAEA_ID, N_("CEC North American Atlas LAEA") },
  { "EPSG:3978", N_("Canada Atlas Lambert (EPSG:3978)") },
  { "EPSG:5070", N_("US Albers Equal Area (EPSG:5070)") },
  { "EPSG:6372", N_("Mexico INEGI Lambert (EPSG:6372)") },
  { "EPSG:4326", N_("WGS 84 longitude, latitude (EPSG:4326)") },
  { "EPSG:3857", N_("Web Mercator (EPSG:3857)") },
};

/**
 * gis_crs_get_presets:
 * @n_presets: (out): number of presets
 *
 * Returns: (transfer none) (array length=n_presets): the display CRS presets
 */
const GisCrsPreset *
gis_crs_get_presets (guint *n_presets)
{
  *n_presets = G_N_ELEMENTS (presets);
  return presets;
}

static char *
proj_input_for (const char *definition)
{
  g_autofree char *stripped = g_strstrip (g_strdup (definition));

  if (g_ascii_strcasecmp (stripped, GIS_CRS_CEC_LAEA_ID) == 0)
    return g_strdup (CEC_LAEA_PROJ);

  /* A bare number is an EPSG code. */
  if (*stripped != '\0' && strspn (stripped, "0123456789") == strlen (stripped))
    return g_strconcat ("EPSG:", stripped, NULL);

  if (g_str_has_prefix (stripped, "+") && strstr (stripped, "+type=crs") == NULL)
    return g_strconcat (stripped, " +type=crs", NULL);

  return g_steal_pointer (&stripped);
}

/**
 * gis_crs_new:
 * @definition: "EPSG:code", a bare EPSG code, "auth:code", a PROJ string,
 *   WKT or PROJJSON, or a preset id such as "cec-laea"
 * @error: return location for a #GIS_ERROR_CRS error
 *
 * Returns: (transfer full) (nullable): the CRS, or %NULL if PROJ does not
 *   know it
 */
GisCrs *
gis_crs_new (const char  *definition,
             GError     **error)
{
  PJ_CONTEXT *ctx = gis_thread_get_proj ();
  g_autofree char *input = NULL;
  PJ *pj;
  PJ_TYPE type;
  GisCrs *crs;
  const char *wkt;

  g_return_val_if_fail (definition != NULL, NULL);

  input = proj_input_for (definition);
  if (*input == '\0')
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS, _("Empty CRS definition"));
      return NULL;
    }

  pj = proj_create (ctx, input);
  if (pj == NULL || !proj_is_crs (pj))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                   _("Unknown CRS “%s”"), definition);
      g_clear_pointer (&pj, proj_destroy);
      return NULL;
    }

  type = proj_get_type (pj);
  crs = g_atomic_rc_box_new0 (GisCrs);
  crs->definition = g_strdup (definition);
  crs->proj_input = g_steal_pointer (&input);
  crs->name = g_strdup (proj_get_name (pj) ? proj_get_name (pj) : definition);
  wkt = proj_as_wkt (ctx, pj, PJ_WKT1_GDAL, NULL);
  crs->wkt = g_strdup (wkt != NULL ? wkt : "");
  crs->geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS ||
                    type == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
                    type == PJ_TYPE_GEOGRAPHIC_CRS;
  proj_destroy (pj);

  return crs;
}

/**
 * gis_crs_new_storage:
 *
 * Returns: (transfer full): EPSG:4326, the CRS of every stored layer
 */
GisCrs *
gis_crs_new_storage (void)
{
  GisCrs *crs = gis_crs_new (GIS_CRS_STORAGE, NULL);

  g_assert (crs != NULL);
  return crs;
}

/**
 * gis_crs_new_analysis:
 *
 * Returns: (transfer full): the default metric equal-area analysis CRS
 */
GisCrs *
gis_crs_new_analysis (void)
{
  GisCrs *crs = gis_crs_new (GIS_CRS_CEC_LAEA_ID, NULL);

  g_assert (crs != NULL);
  return crs;
}

static void
gis_crs_clear (gpointer data)
{
  GisCrs *crs = data;

  g_free (crs->definition);
  g_free (crs->proj_input);
  g_free (crs->name);
  g_free (crs->wkt);
}

GisCrs *
gis_crs_ref (GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);

  return g_atomic_rc_box_acquire (crs);
}

void
gis_crs_unref (GisCrs *crs)
{
  g_return_if_fail (crs != NULL);

  g_atomic_rc_box_release_full (crs, gis_crs_clear);
}

const char *
gis_crs_get_definition (const GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  return crs->definition;
}

/**
 * gis_crs_get_proj_input:
 * @crs: a CRS
 *
 * Returns: (transfer none): the string PROJ and GDAL
 *   (OSRSetFromUserInput) understand
 */
const char *
gis_crs_get_proj_input (const GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  return crs->proj_input;
}

const char *
gis_crs_get_name (const GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  return crs->name;
}

const char *
gis_crs_get_wkt (const GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, NULL);
  return crs->wkt;
}

gboolean
gis_crs_is_geographic (const GisCrs *crs)
{
  g_return_val_if_fail (crs != NULL, FALSE);
  return crs->geographic;
}

gboolean
gis_crs_equal (const GisCrs *a,
               const GisCrs *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a == b || g_strcmp0 (a->proj_input, b->proj_input) == 0;
}

/* ---- transforms ---------------------------------------------------- */

struct _GisTransform
{
  PJ      *pj;          /* NULL for the identity */
  GThread *owner;
};

/**
 * gis_transform_new:
 * @src: source CRS
 * @dst: target CRS
 * @error: return location for a #GIS_ERROR_CRS error
 *
 * The transform belongs to the calling thread.
 *
 * Returns: (transfer full) (nullable): a transform from @src to @dst with
 *   longitude-first axis order on both sides
 */
GisTransform *
gis_transform_new (GisCrs  *src,
                   GisCrs  *dst,
                   GError **error)
{
  PJ_CONTEXT *ctx = gis_thread_get_proj ();
  GisTransform *t;
  PJ *raw;

  g_return_val_if_fail (src != NULL, NULL);
  g_return_val_if_fail (dst != NULL, NULL);

  t = g_new0 (GisTransform, 1);
  t->owner = g_thread_self ();

  if (gis_crs_equal (src, dst))
    return t;

  raw = proj_create_crs_to_crs (ctx, src->proj_input, dst->proj_input, NULL);
  if (raw == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                   _("No transformation from “%s” to “%s”"),
                   src->name, dst->name);
      g_free (t);
      return NULL;
    }

  t->pj = proj_normalize_for_visualization (ctx, raw);
  proj_destroy (raw);
  if (t->pj == NULL)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_CRS,
                   _("No transformation from “%s” to “%s”"),
                   src->name, dst->name);
      g_free (t);
      return NULL;
    }

  return t;
}

void
gis_transform_free (GisTransform *transform)
{
  if (transform == NULL)
    return;

  g_clear_pointer (&transform->pj, proj_destroy);
  g_free (transform);
}

gboolean
gis_transform_is_identity (GisTransform *transform)
{
  g_return_val_if_fail (transform != NULL, FALSE);
  return transform->pj == NULL;
}

/**
 * gis_transform_point:
 * @transform: a transform
 * @x: (inout): easting or longitude
 * @y: (inout): northing or latitude
 *
 * Returns: %TRUE if the point could be transformed
 */
gboolean
gis_transform_point (GisTransform *transform,
                     double       *x,
                     double       *y)
{
  PJ_COORD c;

  g_return_val_if_fail (transform != NULL, FALSE);
  g_assert (transform->owner == g_thread_self ());

  if (transform->pj == NULL)
    return TRUE;

  c = proj_coord (*x, *y, 0, 0);
  c = proj_trans (transform->pj, PJ_FWD, c);
  if (!isfinite (c.xy.x) || !isfinite (c.xy.y))
    return FALSE;
  *x = c.xy.x;
  *y = c.xy.y;
  return TRUE;
}

/**
 * gis_transform_array:
 * @transform: a transform
 * @x: (array length=n) (inout): eastings or longitudes
 * @y: (array length=n) (inout): northings or latitudes
 * @n: number of points
 *
 * Returns: %TRUE if every point could be transformed
 */
gboolean
gis_transform_array (GisTransform *transform,
                     double       *x,
                     double       *y,
                     gsize         n)
{
  g_return_val_if_fail (transform != NULL, FALSE);
  g_assert (transform->owner == g_thread_self ());

  if (transform->pj == NULL || n == 0)
    return TRUE;

  proj_trans_generic (transform->pj, PJ_FWD,
                      x, sizeof (double), n,
                      y, sizeof (double), n,
                      NULL, 0, 0, NULL, 0, 0);
  for (gsize i = 0; i < n; i++)
    if (!isfinite (x[i]) || !isfinite (y[i]))
      return FALSE;
  return TRUE;
}

/**
 * gis_transform_bounds:
 * @transform: a transform
 * @in: a box in the source CRS
 * @out: (out): the smallest box in the target CRS holding the transformed
 *   box (densified edges)
 *
 * Returns: %TRUE on success
 */
gboolean
gis_transform_bounds (GisTransform    *transform,
                      const GisExtent *in,
                      GisExtent       *out)
{
  g_return_val_if_fail (transform != NULL, FALSE);
  g_return_val_if_fail (in != NULL && out != NULL, FALSE);
  g_assert (transform->owner == g_thread_self ());

  if (transform->pj == NULL)
    {
      *out = *in;
      return TRUE;
    }

  return proj_trans_bounds (gis_thread_get_proj (), transform->pj, PJ_FWD,
                            in->min_x, in->min_y, in->max_x, in->max_y,
                            &out->min_x, &out->min_y, &out->max_x, &out->max_y,
                            21) != 0;
}
