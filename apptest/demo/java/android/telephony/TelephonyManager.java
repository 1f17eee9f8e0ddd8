package android.telephony;

import com.android.standin.Phone;

/** Stand-in of android.telephony.TelephonyManager: IMEI and IMSI need READ_PHONE_STATE. */
public class TelephonyManager {
    public String getDeviceId() {
        Phone.get().enforce("android.permission.READ_PHONE_STATE", "getDeviceId");
        return Phone.get().value("imei");
    }

    public String getImei() {
        return getDeviceId();
    }

    public String getSubscriberId() {
        Phone.get().enforce("android.permission.READ_PHONE_STATE", "getSubscriberId");
        return Phone.get().value("imsi");
    }
}
