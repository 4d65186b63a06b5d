/* atalaya-hotspots-panel-private.h: the hotspots panel's widgets and state, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-hotspots-panel.h"

G_BEGIN_DECLS

/* The order of the method row */
typedef enum
{
  HOTSPOTS_KDE = 0,
  HOTSPOTS_GISTAR,
  HOTSPOTS_DBSCAN,
  HOTSPOTS_STDBSCAN,
  HOTSPOTS_EMERGING,
} AtalayaHotspotsMethod;

typedef struct _HotspotsJob HotspotsJob;

struct _AtalayaHotspotsPanel
{
  GtkWidget             parent_instance;

  /* Template widgets */
  GtkScrolledWindow    *scrolled_window;
  AdwComboRow          *method_row;
  AdwComboRow          *layer_row;
  AdwExpanderRow       *categories_row;
  GtkEntry             *from_entry;
  GtkEntry             *to_entry;
  GtkSpinButton        *severity_spin;
  AdwComboRow          *weight_row;
  AdwPreferencesGroup  *params_group;
  AdwComboRow          *kernel_row;     /* quartic, triweight, Epanechnikov, uniform, triangular */
  AdwComboRow          *output_row;     /* density, expected count, raw */
  AdwComboRow          *shape_row;      /* squares, hexagons */
  AdwComboRow          *step_row;       /* month, quarter, year */
  AdwActionRow         *radius_row;
  GtkSpinButton        *radius_spin;
  AdwActionRow         *cell_row;
  GtkSpinButton        *cell_spin;
  AdwActionRow         *band_row;
  GtkSpinButton        *band_spin;
  AdwActionRow         *eps_row;
  GtkSpinButton        *eps_spin;
  AdwActionRow         *eps_days_row;
  GtkSpinButton        *eps_days_spin;
  AdwActionRow         *min_points_row;
  GtkSpinButton        *min_points_spin;
  GtkEntry             *name_entry;
  GtkButton            *run_button;
  GtkButton            *cancel_button;
  GtkProgressBar       *progress_bar;
  GtkLabel             *status_label;

  /* State */
  GisStore             *store;
  GListModel           *layers;
  GPtrArray            *layer_values;     /* point layers' names */
  GPtrArray            *weight_values;    /* NULL, then numeric fields */
  GPtrArray            *category_rows;    /* borrowed */
  GPtrArray            *category_checks;  /* borrowed */
  GPtrArray            *category_values;
  GCancellable         *cancellable;
  HotspotsJob          *job;
  guint                 tick_id;
};

G_END_DECLS
