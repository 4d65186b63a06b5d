/* gis-query-plan.h: a query checked against a store, compiled to SQL, run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-layer.h"
#include "gis-query.h"
#include "gis-store.h"

G_BEGIN_DECLS

typedef struct _GisQueryPlan GisQueryPlan;

GisQueryPlan *gis_query_plan             (GisStore         *store,
                                          GisQuery         *query,
                                          GError          **error);
void          gis_query_plan_free        (GisQueryPlan     *plan);

GisLayer     *gis_query_plan_get_target  (GisQueryPlan     *plan);
const char   *gis_query_plan_get_sql     (GisQueryPlan     *plan);
guint         gis_query_plan_get_n_params (GisQueryPlan    *plan);
char         *gis_query_plan_format_param (GisQueryPlan    *plan,
                                          guint             i);
char         *gis_query_plan_explain     (GisQueryPlan     *plan);

GArray       *gis_query_plan_run         (GisQueryPlan     *plan,
                                          GisProgressFunc   progress,
                                          gpointer          progress_data,
                                          GCancellable     *cancellable,
                                          GError          **error);

GArray       *gis_query_run              (GisStore         *store,
                                          GisQuery         *query,
                                          GisProgressFunc   progress,
                                          gpointer          progress_data,
                                          GCancellable     *cancellable,
                                          GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisQueryPlan, gis_query_plan_free)

G_END_DECLS
