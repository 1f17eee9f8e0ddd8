package android.net.wifi;

import com.android.standin.Phone;

/** Stand-in of android.net.wifi.WifiInfo; getMacAddress answers like Android 5 did (the real MAC). */
public class WifiInfo {
    public String getMacAddress() {
        return Phone.get().value("mac");
    }

    public String getSSID() {
        return "\"" + Phone.get().value("ssid") + "\"";
    }
}
