/* atalaya-query-panel.h: spatial and attribute queries without SQL, in the side pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

#include "atalaya-map-view.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_QUERY_PANEL (atalaya_query_panel_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaQueryPanel, atalaya_query_panel, ATALAYA, QUERY_PANEL, GtkWidget)

GtkWidget *atalaya_query_panel_new          (AtalayaMapView    *map_view);
void       atalaya_query_panel_set_store    (AtalayaQueryPanel *self,
                                             GisStore          *store,
                                             GListModel        *layers);
void       atalaya_query_panel_set_target   (AtalayaQueryPanel *self,
                                             const char        *layer_name);
GisQuery  *atalaya_query_panel_build_query  (AtalayaQueryPanel *self,
                                             GError           **error);
void       atalaya_query_panel_run          (AtalayaQueryPanel *self);
void       atalaya_query_panel_cancel       (AtalayaQueryPanel *self);
gboolean   atalaya_query_panel_get_running  (AtalayaQueryPanel *self);

G_END_DECLS
