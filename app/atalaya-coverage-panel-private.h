/* atalaya-coverage-panel-private.h: the coverage panel's widgets and state, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-coverage-panel.h"

G_BEGIN_DECLS

typedef struct _CoverageJob CoverageJob;

struct _AtalayaCoveragePanel
{
  GtkWidget             parent_instance;

  /* Template widgets */
  GtkScrolledWindow    *scrolled_window;
  GtkListBox           *resources_list;
  GtkSpinButton        *radius_spin;
  AdwComboRow          *radius_field_row;
  GtkSwitch            *cross_border_switch;
  AdwComboRow          *zone_kind_row;      /* none, areas of a layer, border corridor */
  AdwComboRow          *zone_layer_row;
  AdwActionRow         *corridor_width_row;
  GtkSpinButton        *corridor_spin;
  AdwComboRow          *corridor_pair_row;  /* all, US-CA, US-MX */
  AdwComboRow          *corridor_side_row;  /* both, CA, US, MX */
  AdwComboRow          *facilities_row;
  AdwComboRow          *demand_row;
  AdwComboRow          *weight_row;
  AdwExpanderRow       *siting_row;
  GtkSpinButton        *k_spin;
  AdwComboRow          *candidates_row;     /* a grid, then point layers */
  AdwActionRow         *grid_row;
  GtkSpinButton        *grid_spin;
  GtkSpinButton        *site_radius_spin;
  GtkButton            *run_button;
  GtkButton            *cancel_button;
  GtkProgressBar       *progress_bar;
  GtkLabel             *status_label;
  GtkBox               *summary_box;
  GtkLabel             *headline_label;
  GtkGrid              *summary_grid;
  GtkLabel             *sites_label;
  GtkEntry             *name_entry;
  GtkButton            *save_button;

  /* State */
  GisStore             *store;
  GListModel           *layers;
  GPtrArray            *resource_checks;    /* GtkCheckButton, borrowed */
  GPtrArray            *resource_names;
  GPtrArray            *zone_values;        /* the combo rows' layer or field names; NULL for none */
  GPtrArray            *facility_values;
  GPtrArray            *demand_values;
  GPtrArray            *candidate_values;
  GPtrArray            *radius_fields;
  GPtrArray            *weight_fields;
  GCancellable         *cancellable;
  CoverageJob          *job;
  guint                 tick_id;
  GisCoverageResult    *result;
  GisSitingResult      *siting;
  gboolean              has_facilities;
  gboolean              has_demand;
};

G_END_DECLS
