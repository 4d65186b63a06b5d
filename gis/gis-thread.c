/* gis-thread.c: one GEOS handle and one PROJ context per thread
 *
 * GEOS and PROJ contexts must not be shared between threads (MapServer
 * mapgeos.c / mapproject.c do the same).  Each thread gets its own on first
 * use; they are freed when the thread exits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-thread"

#include "config.h"

#include <cpl_error.h>

#include "gis-error.h"
#include "gis-thread-private.h"

static void
geos_notice (const char *message,
             void       *user_data)
{
  g_debug ("GEOS: %s", message);
}

static void
free_geos (gpointer data)
{
  GEOS_finish_r (data);
}

static void
free_proj (gpointer data)
{
  proj_context_destroy (data);
}

static GPrivate geos_key = G_PRIVATE_INIT (free_geos);
static GPrivate proj_key = G_PRIVATE_INIT (free_proj);

/**
 * gis_thread_get_geos:
 *
 * Returns: (transfer none): the calling thread's GEOS handle
 */
GEOSContextHandle_t
gis_thread_get_geos (void)
{
  GEOSContextHandle_t handle = g_private_get (&geos_key);

  if (handle == NULL)
    {
      handle = GEOS_init_r ();
      GEOSContext_setNoticeMessageHandler_r (handle, geos_notice, NULL);
      GEOSContext_setErrorMessageHandler_r (handle, geos_notice, NULL);
      g_private_set (&geos_key, handle);
    }

  return handle;
}

/**
 * gis_thread_get_proj:
 *
 * Returns: (transfer none): the calling thread's PROJ context, with network
 *   access off
 */
PJ_CONTEXT *
gis_thread_get_proj (void)
{
  PJ_CONTEXT *ctx = g_private_get (&proj_key);

  if (ctx == NULL)
    {
      ctx = proj_context_create ();
      proj_context_set_enable_network (ctx, 0);
      proj_log_level (ctx, PJ_LOG_NONE);
      g_private_set (&proj_key, ctx);
    }

  return ctx;
}

/**
 * gis_thread_set_gdal_error:
 * @error: return location
 * @code: a #GisError
 * @prefix: what failed, already translated and naming the file
 *
 * Sets @error from the calling thread's last GDAL error.
 */
void
gis_thread_set_gdal_error (GError    **error,
                           int         code,
                           const char *prefix)
{
  const char *msg = CPLGetLastErrorMsg ();

  if (msg != NULL && *msg != '\0')
    g_set_error (error, GIS_ERROR, code, "%s: %s", prefix, msg);
  else
    g_set_error_literal (error, GIS_ERROR, code, prefix);
}
