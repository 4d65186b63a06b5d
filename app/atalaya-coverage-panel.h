/* atalaya-coverage-panel.h: coverage gaps and new sites, in the side pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_COVERAGE_PANEL (atalaya_coverage_panel_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaCoveragePanel, atalaya_coverage_panel, ATALAYA, COVERAGE_PANEL, GtkWidget)

GtkWidget         *atalaya_coverage_panel_new          (void);
void               atalaya_coverage_panel_set_store    (AtalayaCoveragePanel *self,
                                                        GisStore             *store,
                                                        GListModel           *layers);
void               atalaya_coverage_panel_run          (AtalayaCoveragePanel *self);
void               atalaya_coverage_panel_cancel       (AtalayaCoveragePanel *self);
gboolean           atalaya_coverage_panel_get_running  (AtalayaCoveragePanel *self);
GisCoverageResult *atalaya_coverage_panel_get_result   (AtalayaCoveragePanel *self);
GisSitingResult   *atalaya_coverage_panel_get_siting   (AtalayaCoveragePanel *self);

G_END_DECLS
