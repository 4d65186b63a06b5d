/* atalaya-indicators-panel-private.h: the indicators panel's widgets and state, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-indicators-panel.h"

G_BEGIN_DECLS

struct _AtalayaIndicatorsPanel
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkScrolledWindow  *scrolled_window;
  AdwComboRow        *chart_row;        /* in GisIndicator order */
  AdwComboRow        *language_row;     /* in GisLanguage order */
  AdwActionRow       *radius_row;
  GtkSpinButton      *radius_spin;
  GtkDrawingArea     *chart_area;
  GtkSpinner         *spinner;
  GtkLabel           *status_label;
  GtkButton          *png_button;
  GtkButton          *svg_button;
  GtkButton          *csv_button;

  /* State */
  char               *store_path;
  GisIndicatorTable  *table;            /* the chart shown, or NULL */
  GCancellable       *cancellable;      /* the computation under way */
  gboolean            stale;            /* compute again when shown */
  GtkNativeDialog    *chooser;
};

G_END_DECLS
