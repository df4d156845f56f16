"""The demo catalog: a category tree whose leaves say what their products are called and cost."""

from dataclasses import dataclass

# ---------------------------------------------------------------------------- catalog data


@dataclass(frozen=True)
class Node:
    """A category; leaves carry what their products are called and cost (in whole euros)."""

    name: str
    children: tuple["Node", ...] = ()
    products: tuple[str, ...] = ()
    prices: tuple[int, int] = (10, 100)


CATALOG = (
    Node(
        "Electronics",
        (
            Node(
                "Audio",
                (
                    Node(
                        "Headphones",
                        products=(
                            "Wireless Headphones",
                            "Noise-Cancelling Headphones",
                            "In-Ear Buds",
                            "Studio Headphones",
                        ),
                        prices=(25, 380),
                    ),
                    Node(
                        "Speakers",
                        products=("Bluetooth Speaker", "Soundbar", "Bookshelf Speakers", "Smart Speaker"),
                        prices=(30, 600),
                    ),
                ),
            ),
            Node(
                "Computers",
                (
                    Node(
                        "Laptops",
                        products=('Ultrabook 13"', 'Laptop 15"', 'Gaming Laptop 16"', 'Chromebook 14"'),
                        prices=(380, 2400),
                    ),
                    Node(
                        "Monitors",
                        products=(
                            '27" 4K Monitor',
                            '24" IPS Monitor',
                            '34" Ultrawide Monitor',
                            "Portable Monitor",
                        ),
                        prices=(140, 900),
                    ),
                    Node(
                        "Computer Accessories",
                        products=(
                            "Mechanical Keyboard",
                            "Wireless Mouse",
                            "USB-C Hub",
                            "Webcam 1080p",
                            "Laptop Stand",
                        ),
                        prices=(12, 180),
                    ),
                ),
            ),
            Node(
                "Phones & Tablets",
                (
                    Node(
                        "Smartphones",
                        products=("Smartphone 128 GB", "Smartphone 256 GB", "Compact Phone"),
                        prices=(199, 1300),
                    ),
                    Node("Tablets", products=('Tablet 11"', "E-Reader", "Drawing Tablet"), prices=(99, 1100)),
                    Node(
                        "Phone Accessories",
                        products=(
                            "Phone Case",
                            "Screen Protector",
                            "Fast Charger 30W",
                            "Power Bank 10000 mAh",
                        ),
                        prices=(8, 70),
                    ),
                ),
            ),
        ),
    ),
    Node(
        "Home & Kitchen",
        (
            Node(
                "Kitchen",
                (
                    Node(
                        "Cookware",
                        products=("Cast Iron Skillet", "Non-Stick Pan Set", "Dutch Oven", "Chef's Knife"),
                        prices=(18, 260),
                    ),
                    Node(
                        "Small Appliances",
                        products=("Blender", "Air Fryer", "Electric Kettle", "Toaster"),
                        prices=(25, 320),
                    ),
                    Node(
                        "Coffee & Tea",
                        products=("Espresso Machine", "Burr Grinder", "French Press", "Pour-Over Kettle"),
                        prices=(20, 700),
                    ),
                ),
            ),
            Node(
                "Furniture",
                products=("Office Chair", "Standing Desk", "Bookcase", "Side Table"),
                prices=(60, 850),
            ),
            Node(
                "Lighting",
                products=("Desk Lamp", "Floor Lamp", "LED Strip", "Pendant Light"),
                prices=(15, 240),
            ),
        ),
    ),
    Node(
        "Sports & Outdoors",
        (
            Node(
                "Fitness",
                products=("Yoga Mat", "Adjustable Dumbbells", "Resistance Bands", "Kettlebell"),
                prices=(12, 420),
            ),
            Node(
                "Camping",
                products=("2-Person Tent", "Sleeping Bag", "Camping Stove", "Headlamp"),
                prices=(15, 480),
            ),
            Node(
                "Cycling",
                products=("Bike Helmet", "Bike Lights Set", "Cycling Gloves", "Bike Lock"),
                prices=(12, 160),
            ),
        ),
    ),
    Node(
        "Clothing",
        (
            Node(
                "Men",
                products=("Merino T-Shirt", "Chino Trousers", "Rain Jacket", "Hoodie"),
                prices=(20, 220),
            ),
            Node(
                "Women",
                products=("Linen Shirt", "Running Leggings", "Wool Coat", "Knit Sweater"),
                prices=(20, 260),
            ),
            Node(
                "Shoes",
                products=("Running Shoes", "Leather Boots", "Trail Sneakers", "Sandals"),
                prices=(35, 240),
            ),
        ),
    ),
    Node(
        "Books",
        (
            Node(
                "Fiction", products=("Crime Novel", "Fantasy Saga Vol. 1", "Literary Novel"), prices=(9, 30)
            ),
            Node("Non-Fiction", products=("Cookbook", "Travel Guide", "History of Trade"), prices=(12, 45)),
            Node(
                "Children's Books",
                products=("Picture Book", "Activity Book", "Bedtime Stories"),
                prices=(6, 22),
            ),
        ),
    ),
)
BRANDS = (
    "Nordvik",
    "Aurora",
    "Kestrel",
    "Lumen",
    "Veloce",
    "Brightwell",
    "Oakridge",
    "Solace",
    "Tundra",
    "Marlow",
    "Zephyr",
    "Halcyon",
    "Ferro",
    "Pinecrest",
    "Quill",
    "Corvid",
)
SERIES = ("Pro", "Air", "Max", "Lite", "One", "Plus", "Classic", "Studio", "Trail", "Urban", "Flex", "Prime")
