/* atalaya-hotspots-panel.h: hotspots of illegal activity, in the side pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_HOTSPOTS_PANEL (atalaya_hotspots_panel_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaHotspotsPanel, atalaya_hotspots_panel, ATALAYA, HOTSPOTS_PANEL, GtkWidget)

GtkWidget *atalaya_hotspots_panel_new         (void);
void       atalaya_hotspots_panel_set_store   (AtalayaHotspotsPanel *self,
                                               GisStore             *store,
                                               GListModel           *layers);
void       atalaya_hotspots_panel_run         (AtalayaHotspotsPanel *self);
void       atalaya_hotspots_panel_cancel      (AtalayaHotspotsPanel *self);
gboolean   atalaya_hotspots_panel_get_running (AtalayaHotspotsPanel *self);

G_END_DECLS
