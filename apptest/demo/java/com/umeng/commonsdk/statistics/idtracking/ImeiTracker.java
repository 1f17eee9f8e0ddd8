package com.umeng.commonsdk.statistics.idtracking;

import android.content.Context;
import android.telephony.TelephonyManager;

/** Stand-in of Umeng's IMEI tracker: asks for the IMEI and lives with the SecurityException. */
public final class ImeiTracker {
    private ImeiTracker() {}

    public static String imei(Context context) {
        TelephonyManager telephony = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        try {
            return telephony.getDeviceId();
        } catch (SecurityException e) {
            return "";
        }
    }
}
