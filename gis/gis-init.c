/* gis-init.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-init"

#include "config.h"

#include <gdal.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_api.h>
#include <proj.h>
#include <sqlite3.h>
#include <spatialite.h>

#include "gis-init.h"

static gsize initialized;

/* GDAL prints warnings on stderr by default.  Every failure we care about
 * is read back with CPLGetLastErrorMsg() and turned into a GError; the
 * rest is noise for a user, so it only reaches the debug log. */
static void
on_cpl_error (CPLErr      err_class,
              CPLErrorNum err_no,
              const char *msg)
{
  g_debug ("GDAL %d/%d: %s", (int) err_class, (int) err_no, msg);
}

/**
 * gis_init:
 *
 * Sets up GDAL, PROJ and SpatiaLite for the process.  Call once, on the
 * main thread, before any other gis_ function.
 */
void
gis_init (void)
{
  if (!g_once_init_enter (&initialized))
    return;

  /* Coordinates never come from the network: grids are what Debian ships. */
  g_setenv ("PROJ_NETWORK", "OFF", FALSE);
  CPLSetConfigOption ("PROJ_NETWORK", "OFF");
  proj_context_set_enable_network (PJ_DEFAULT_CTX, 0);
  /* A shapefile without its .shx is an error, not something to repair. */
  CPLSetConfigOption ("SHAPE_RESTORE_SHX", "NO");
  CPLSetConfigOption ("OGR_GEOJSON_MAX_OBJ_SIZE", "0");
  CPLSetErrorHandler (on_cpl_error);

  GDALAllRegister ();
  spatialite_initialize ();

  g_once_init_leave (&initialized, 1);
}

/**
 * gis_shutdown:
 *
 * Releases what gis_init() set up.  Call once, on the main thread, after
 * every store is closed.
 */
void
gis_shutdown (void)
{
  if (initialized == 0)
    return;

  spatialite_shutdown ();
  GDALDestroyDriverManager ();
  OGRCleanupAll ();
  initialized = 0;
}
