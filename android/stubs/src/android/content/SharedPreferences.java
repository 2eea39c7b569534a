// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.content;

import java.util.Set;

public interface SharedPreferences {
    boolean getBoolean(String key, boolean defValue);

    Set<String> getStringSet(String key, Set<String> defValues);

    Editor edit();

    interface Editor {
        Editor putBoolean(String key, boolean value);

        Editor putStringSet(String key, Set<String> values);

        void apply();
    }
}
