/* atalaya-window-private.h: internals shared by the window's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-attribute-table.h"
#include "atalaya-coverage-panel.h"
#include "atalaya-feature-form.h"
#include "atalaya-hotspots-panel.h"
#include "atalaya-identify-panel.h"
#include "atalaya-indicators-panel.h"
#include "atalaya-map-controller.h"
#include "atalaya-map-view.h"
#include "atalaya-query-panel.h"
#include "atalaya-sql-console.h"
#include "atalaya-status-bar.h"
#include "atalaya-time-bar.h"
#include "atalaya-window.h"

G_BEGIN_DECLS

struct _AtalayaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  AdwSplitButton       *open_button;
  GtkStack             *stack;
  GtkListView          *layer_list_view;
  GtkSingleSelection   *layer_selection;
  GtkPaned             *main_paned;
  GtkPaned             *content_paned;
  GtkPaned             *map_paned;
  AtalayaMapView       *map_view;
  GtkSpinner           *map_spinner;
  GtkRevealer          *bottom_revealer;
  AtalayaTimeBar       *time_bar;
  AtalayaStatusBar     *status_bar;

  /* Built in code */
  GtkStack             *side_stack;
  AdwWindowTitle       *side_title;
  AtalayaFeatureForm   *feature_form;
  AtalayaIdentifyPanel *identify_panel;
  AtalayaQueryPanel    *query_panel;
  AtalayaCoveragePanel *coverage_panel;
  AtalayaHotspotsPanel *hotspots_panel;
  AtalayaIndicatorsPanel *indicators_panel;
  AtalayaAttributeTable *attribute_table;

  /* Borrowed: a toplevel of its own; NULL when closed */
  AtalayaSqlConsole    *sql_console;

  /* Owned */
  GSettings            *settings;
  GisEditor            *editor;
  GisStore             *store;
  GListModel           *layers;          /* drawing order, bottom first */
  GtkSortListModel     *display_layers;  /* top first, for the panel */
  AtalayaMapController *controller;
  GCancellable         *open_cancellable;
  GFile                *opening_file;
  GHashTable           *dirty_layers;    /* layer id -> GisLayer to save */
  guint                 save_id;
  gboolean              fitted;
  gboolean              fit_on_data;
  gint64                moving_layer;
  gint64                moving_fid;
};

void      atalaya_window_class_actions_init  (AtalayaWindowClass *klass);
void      atalaya_window_actions_update      (AtalayaWindow      *self);
void      atalaya_window_show_error          (AtalayaWindow      *self,
                                              const GError       *error);
void      atalaya_window_show_message        (AtalayaWindow      *self,
                                              const char         *message);
GisLayer *atalaya_window_find_layer          (AtalayaWindow      *self,
                                              gint64              layer_id);
GisLayer *atalaya_window_get_active_layer    (AtalayaWindow      *self);
void      atalaya_window_reload_layers       (AtalayaWindow      *self);
void      atalaya_window_zoom_full           (AtalayaWindow      *self);
void      atalaya_window_show_side           (AtalayaWindow      *self,
                                              const char         *page,
                                              const char         *title);
void      atalaya_window_hide_side           (AtalayaWindow      *self);
void      atalaya_window_import_file         (AtalayaWindow      *self,
                                              GFile              *file);
void      atalaya_window_show_table          (AtalayaWindow      *self,
                                              GisLayer           *layer);
void      atalaya_window_identify_at         (AtalayaWindow      *self,
                                              double              x,
                                              double              y);
void      atalaya_window_close_sql_console   (AtalayaWindow      *self);
void      atalaya_window_show_query_panel    (AtalayaWindow      *self);
void      atalaya_window_show_coverage_panel (AtalayaWindow      *self);
void      atalaya_window_show_hotspots_panel (AtalayaWindow      *self);
void      atalaya_window_show_indicators_panel (AtalayaWindow    *self);

G_END_DECLS
