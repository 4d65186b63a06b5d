/* atalaya-identify-panel.h: what is at a point of the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_IDENTIFY_PANEL (atalaya_identify_panel_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaIdentifyPanel, atalaya_identify_panel, ATALAYA, IDENTIFY_PANEL, GtkWidget)

GtkWidget *atalaya_identify_panel_new           (void);
void       atalaya_identify_panel_set_results   (AtalayaIdentifyPanel *self,
                                                 GPtrArray            *features);
void       atalaya_identify_panel_clear         (AtalayaIdentifyPanel *self);
guint      atalaya_identify_panel_get_n_results (AtalayaIdentifyPanel *self);

G_END_DECLS
