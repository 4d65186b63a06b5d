/* gis-blob-private.h: SpatiaLite geometry BLOBs <-> WKB
 *
 * The SpatiaLite BLOB is WKB with a fixed header (SRID, MBR) and 0x69
 * markers instead of byte-order bytes inside collections
 * (https://www.gaia-gis.it/gaia-sins/BLOB-Geometry.html).  We write it
 * ourselves for speed: a point blob is 60 bytes built in place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GIS_POINT_BLOB_SIZE 60

void      gis_blob_write_point (guint8       *blob,
                                int           srid,
                                double        x,
                                double        y);
guint8   *gis_blob_from_wkb    (const guint8 *wkb,
                                gsize         wkb_len,
                                int           srid,
                                const double  mbr[4],
                                gsize        *out_len);
guint8   *gis_blob_to_wkb      (const guint8 *blob,
                                gsize         blob_len,
                                gsize        *out_len,
                                int          *out_srid);
gboolean  gis_blob_is_geometry (const guint8 *blob,
                                gsize         blob_len);
gboolean  gis_blob_get_point   (const guint8 *blob,
                                gsize         blob_len,
                                double       *x,
                                double       *y);
gboolean  gis_blob_get_mbr     (const guint8 *blob,
                                gsize         blob_len,
                                double        mbr[4]);

G_END_DECLS
