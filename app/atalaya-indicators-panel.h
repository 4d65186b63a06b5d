/* atalaya-indicators-panel.h: the planners' indicator charts, in the side pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_INDICATORS_PANEL (atalaya_indicators_panel_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaIndicatorsPanel, atalaya_indicators_panel, ATALAYA, INDICATORS_PANEL, GtkWidget)

GtkWidget               *atalaya_indicators_panel_new          (void);
void                     atalaya_indicators_panel_set_store    (AtalayaIndicatorsPanel *self,
                                                                GisStore               *store);
void                     atalaya_indicators_panel_refresh      (AtalayaIndicatorsPanel *self);
gboolean                 atalaya_indicators_panel_get_computing (AtalayaIndicatorsPanel *self);
const GisIndicatorTable *atalaya_indicators_panel_get_table    (AtalayaIndicatorsPanel *self);

G_END_DECLS
