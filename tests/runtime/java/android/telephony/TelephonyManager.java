package android.telephony;

/**
 * Stand-in with the real signatures. getDeviceId() throws as it does for a normal app on
 * Android 10+; getImei() delegates to getImei(int), as AOSP does.
 */
public class TelephonyManager {
    private static final String DENIED =
            "getDeviceId: The user 10123 does not meet the requirements to access device identifiers.";

    public String getDeviceId() {
        throw new SecurityException(DENIED);
    }

    public String getDeviceId(int slotIndex) {
        throw new SecurityException(DENIED);
    }

    public String getImei() {
        return getImei(getSlotIndex());
    }

    public String getImei(int slotIndex) {
        return System.getProperty("standin.imei", "868123045678902");
    }

    public String getSubscriberId() {
        return System.getProperty("standin.imsi", "460011234509876");
    }

    public String getLine1Number() {
        return null;
    }

    public String getSimSerialNumber() {
        return System.getProperty("standin.iccid", "89860012345678901234");
    }

    private int getSlotIndex() {
        return 0;
    }
}
