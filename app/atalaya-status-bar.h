/* atalaya-status-bar.h: cursor position, scale and display CRS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_STATUS_BAR (atalaya_status_bar_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaStatusBar, atalaya_status_bar, ATALAYA, STATUS_BAR, GtkWidget)

GtkWidget  *atalaya_status_bar_new          (void);
void        atalaya_status_bar_set_viewport (AtalayaStatusBar *self,
                                             GisViewport      *viewport);
void        atalaya_status_bar_set_cursor   (AtalayaStatusBar *self,
                                             double            lon,
                                             double            lat,
                                             gboolean          valid);
const char *atalaya_status_bar_get_crs_id   (AtalayaStatusBar *self);
gboolean    atalaya_status_bar_set_crs_id   (AtalayaStatusBar *self,
                                             const char       *crs_id,
                                             GError          **error);
void        atalaya_status_bar_set_message  (AtalayaStatusBar *self,
                                             const char       *message);

char       *atalaya_format_lonlat           (double            lon,
                                             double            lat);
char       *atalaya_format_scale            (double            scale);

G_END_DECLS
