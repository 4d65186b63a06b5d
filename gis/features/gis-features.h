/* gis-features.h: feature access for identify, selection and the attribute table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once
