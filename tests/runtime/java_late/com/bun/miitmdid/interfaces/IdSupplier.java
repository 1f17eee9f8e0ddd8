package com.bun.miitmdid.interfaces;

/** MSA SDK's id supplier (1.0.22+ package name). */
public interface IdSupplier {
    boolean isSupported();

    String getOAID();

    String getVAID();

    String getAAID();
}
